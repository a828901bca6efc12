"""Use-cases: write stakes, load seeds, build reports. Raise EcoportError on bad input."""
