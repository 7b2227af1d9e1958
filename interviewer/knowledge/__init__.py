"""Knowledge: the corpus and its index, retrieval and citations, the question bank and its checks."""
