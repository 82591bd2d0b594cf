$HDUMP help salvage
