"""The typed records that flow between the stages: spiders -> pipeline -> db."""

from models.records import Article, Entity, Failure, Feed, FeedCheck, Position
from models.stances import STANCES, Stance

__all__ = ["Article", "Entity", "Failure", "Feed", "FeedCheck", "Position", "STANCES", "Stance"]
