"""Side panels: the palette, the property panel and the problems list."""
