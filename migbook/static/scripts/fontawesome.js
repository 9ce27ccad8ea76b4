/* Intentionally empty: replaces the theme's 1.5 MB Font Awesome script (same path, copied over it).
   The theme's stylesheet already draws every icon it shows from the Font Awesome web font; the
   script only swapped those icons for inline SVG. See migbook/sphinx/assets.py (page weight). */
