"""Draft stakes from a press article: a rule grammar over its sentences, English and Chinese.

Nothing is invented: a figure the sentence does not state stays undisclosed, a sentence that
names companies without a deal verb gives no stake, and a deal whose buyer is never named
gives no draft (a note says so). See ecoport.core.extract.grammar for the rules.
"""

from ecoport.core.extract.grammar import Draft, Extraction, Milestone, extract
from ecoport.core.extract.names import Directory
from ecoport.core.extract.reading import decode, plain_text

__all__ = ["Directory", "Draft", "Extraction", "Milestone", "decode", "extract", "plain_text"]
