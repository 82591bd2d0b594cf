$HDUMP help rewrite
