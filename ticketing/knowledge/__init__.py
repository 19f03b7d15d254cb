"""The knowledge base: articles, retrieval over them, unanswered questions, evaluation."""
