"""How each result looks on a terminal: one module per service module, each registering its
table renderers with ``ecoport.emit.table_for`` (see ecoport/emit.py)."""
