"""The risk assessor: text → category, severity and the evidence that matched."""

from bot.risk.assessor import Assessment, Category, Severity, assess

__all__ = ["Assessment", "Category", "Severity", "assess"]
