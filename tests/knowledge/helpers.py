"""Knowledge-base test helpers: a database whose articles are exactly the ones a test wants."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ticketing.db import transaction
from ticketing.knowledge.articles import ensure_faq_articles
from ticketing.models import KnowledgeArticle, UnansweredGroup


def fresh_knowledge(factory: sessionmaker[Session], *, faq: bool = False) -> None:
    """No articles and no unanswered questions (the migration's FAQ articles gone too), or
    with `faq` just the ten FAQ articles."""
    with transaction(factory) as session:
        session.execute(delete(UnansweredGroup))
        session.execute(delete(KnowledgeArticle))
        if faq:
            ensure_faq_articles(session)
