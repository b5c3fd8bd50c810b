"""Pre-aggregated tallies, maintained by the tally worker (see tallies/counting.py).

Every table is keyed by the response's flag set (`flags`, 0 = clean) so figures
can be shown with and without flagged responses. Rows hold counts only; the
truth stays in `responses` and `flask tallies recount` rebuilds all of this.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from questionnaire.extensions import db
from questionnaire.kernel.sqltypes import UTCDateTime


class TallyEntry(db.Model):
    __tablename__ = "tally_entries"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_points.id"), primary_key=True)
    flags: Mapped[int] = mapped_column(primary_key=True)
    responses: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TallyAnswer(db.Model):
    __tablename__ = "tally_answers"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_points.id"), primary_key=True)
    flags: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    responses: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TallyHour(db.Model):
    __tablename__ = "tally_hours"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    # The evaluated county or city unit (for a QR code: its poster's county, or the city unit
    # itself): the scopes an account can have.
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_units.id"), primary_key=True)
    # The collection point's channel: a one-channel dashboard draws its own series (migration 0008).
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    flags: Mapped[int] = mapped_column(primary_key=True)
    hour: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # hours since 1970 UTC
    responses: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class TallyState(db.Model):
    """The dashboard's "as of" time: when the tallies were last known complete.

    Set when a batch is counted, and by a run that finds nothing waiting (at most every
    30 s, tallies.counting.AS_OF_REFRESH), so an idle campaign does not look stale.
    """

    __tablename__ = "tally_state"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recounted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rows_counted: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class BurstWindow(db.Model):
    """Rows counted so far per (IP hash or entry point, time window): the burst flag's memory.

    Written by the tally worker in the transaction that counts the rows, so a window's
    count always equals its counted rows; `flask tallies recount` rebuilds it.
    """

    __tablename__ = "burst_windows"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    kind: Mapped[int] = mapped_column(primary_key=True)          # the flag bit: BURST_IP or BURST_ENTRY
    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # ip hash, or entry point id
    window_seconds: Mapped[int] = mapped_column(primary_key=True)
    window_index: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # epoch seconds // window_seconds
    responses: Mapped[int] = mapped_column(sa.BigInteger, default=0)
