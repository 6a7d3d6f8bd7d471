"""How the incentive log's known errors (``core.incentives.errors``) and the rule editor's
refusal codes (``core.incentives.rules.REFUSALS``) read to a person: what happened, why (the
FTC's and Google's rules in plain words) and what to do instead. Merged into
``gui.errors.message_for``; the Incentives page words live refusals with ``refusal_text``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication

from core.errors import KnownError

Wording = Callable[[KnownError], tuple[str, str]]


def t(text: str) -> str:
    return QCoreApplication.translate("IncentiveErrors", text)


_REFUSALS = {
    "staff_review": (
        "Points can never be given for reviews written or posted by staff. Reviews by the "
        "practice's own people are fake reviews under the FTC's rule (16 CFR Part 465) and "
        "Google's policies."
    ),
    "review_sentiment": (
        "Points can never depend on positive, good or 5-star reviews. Rewarding what a review "
        "says is a review incentive the FTC (16 CFR Part 465) and Google forbid."
    ),
    "review_rating": (
        "Points can never depend on star ratings. The FTC (16 CFR Part 465) and Google forbid "
        "rewarding ratings."
    ),
    "review_count": (
        "Points can never depend on how many reviews come in. Google forbids incentives for "
        "reviews, and the FTC (16 CFR Part 465) treats them as deceptive."
    ),
    "review_gating": (
        "Points can never reward asking only happy patients, or keeping unhappy ones away. "
        "That is review gating, which Google forbids and the FTC treats as suppressing "
        "reviews."
    ),
    "review_incentive": (
        "Points can never be tied to reviews or testimonials. Reward asking every patient "
        "for honest feedback instead (“Asked a patient for feedback”)."
    ),
}


def refusal_text(code: str) -> str:
    """Why a rule, kind or reward was refused (a ``core.incentives.rules.check_rule`` code)."""
    text = _REFUSALS.get(code)
    if text is not None:
        return t(text)
    return t(
        "Points can never depend on reviews, ratings or what a review says (FTC 16 CFR "
        "Part 465, Google's policies)."
    )


def refusals_text(codes: Iterable[str]) -> str:
    """Every reason, one per line (the most specific first, as core orders them)."""
    return "\n".join(refusal_text(code) for code in codes)


def _refused(error: KnownError) -> tuple[str, str]:
    reasons = [str(r) for r in error.params.get("reasons", ()) or ()]
    return (
        t("This cannot be rewarded"),
        refusals_text(reasons) if reasons else refusal_text(""),
    )


def _not_enough(error: KnownError) -> tuple[str, str]:
    available, cost = error.params.get("available"), error.params.get("cost")
    if isinstance(available, int) and isinstance(cost, int):
        text = t("This reward costs {cost} points and {available} are free to spend.").format(
            cost=f"{cost:,}", available=f"{available:,}"
        )
        return t("Not enough points yet"), text
    return t("Not enough points yet"), t("Collect a few more points, then ask again.")


def incentive_wording() -> dict[str, Wording]:
    """Messages for the incentive log's error codes."""
    return {
        "incentive_rule_refused": _refused,
        "incentive_not_enough_points": _not_enough,
        "incentive_redemption_not_pending": lambda _e: (
            t("This request was already dealt with"),
            t(
                "Someone decided on it or it was cancelled in the meantime. The list has been "
                "reloaded."
            ),
        ),
        "incentive_own_redemption": lambda _e: (
            t("Not your own request"),
            t("Another manager approves or declines your own reward requests."),
        ),
        "incentive_automatic_credit": lambda _e: (
            t("The app credits this itself"),
            t(
                "Posts, photo checks, consents and on-time replies are credited from what "
                "happens in the app; they are neither logged nor removed by hand."
            ),
        ),
    }
