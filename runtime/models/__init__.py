"""Model providers: the three questions AI nodes ask (choose, extract, draft)."""
