"""Text rules shared by every part: sentences, words, markup, and escaping at each boundary."""
