"""Reports of a campaign: read the results and tallies once, then build any entity's report or the city's.

Figures come from the results package, never from a second computation: an entity's entry is
`results.present.entity` of the live standings, or, once a kind's results are published on the
current scheme version, the entry of the published copy (a preliminary or final result is
frozen, so the report says exactly what was published). Per-question option counts come from
`results.standings.entity_counts`, the read the standings themselves are built from, and each
question's rate from the standings' inputs. A batch of 94 reports reads all this once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.campaigns.models import Campaign, UnitTarget
from questionnaire.campaigns.scoring import exact_rate
from questionnaire.campaigns.service import load_definitions
from questionnaire.intake.channels import CHANNEL_LABELS, CHANNELS
from questionnaire.intake.models import CollectionPoint
from questionnaire.kernel.china_time import format_china_time
from questionnaire.kernel.errors import NotInScope
from questionnaire.kernel.numbers import format_percent
from questionnaire.org.models import OrgUnit
from questionnaire.posters.render import period_text
from questionnaire.reports.city_report import build_city_report
from questionnaire.reports.entity_report import build_entity_report
from questionnaire.reports.model import Report
from questionnaire.reports.sources import (
    CampaignInfo,
    CitySource,
    EnteredFigure,
    EntitySource,
    KindResults,
    QuestionCounts,
    Status,
    WorkloadLine,
)
from questionnaire.reports.suggestions import newest_suggestions, text_question_ids
from questionnaire.results import present, service, standings
from questionnaire.results.external import describe_figure, figure_value
from questionnaire.results.feeds import FedFigure, fed_figures
from questionnaire.results.inputs import EXTERNAL
from questionnaire.results.models import FINAL, STAGE_LABELS
from questionnaire.results.rounds import ROUND_LABELS
from questionnaire.results.scheme import KIND_LABELS, KINDS
from questionnaire.results.tree import leaves
from questionnaire.tallies.models import TallyEntry

DATE = "%Y-%m-%d"


class _Kind:
    """One kind's standings, its presented entities (live or published) and its option counts."""

    def __init__(self, session: Session, campaign_id: int, kind: str):
        self.kind = kind
        self.data = standings.build(session, campaign_id, kind)
        self.as_of = present.as_of_label(self.data)
        self.answers, _ = standings.entity_counts(session, campaign_id, kind)
        count = len(self.data.rows)
        self.live = {s.entity.id: present.entity(s, count, self.data.question_titles, scheme=self.data.scheme)
                     for s in self.data.rows}
        self.standing = {s.entity.id: s for s in self.data.rows}
        published = service.latest_publication(session, campaign_id, kind)
        self.published = published if published is not None and published.scheme_id == self.data.scheme_row.id else None
        self.status = _status(self.published, self.as_of)
        frozen = {e["unit_id"]: e for e in self.published.results["entities"]} if self.published else {}
        self.shown = {unit_id: frozen.get(unit_id, entry) for unit_id, entry in self.live.items()}
        self.order = [s.entity.id for s in self.data.rows] if not frozen else sorted(
            self.shown, key=lambda u: (self.shown[u]["rank"], self.shown[u]["code"]))

    def questions(self, unit_id: int | None, scales: dict) -> list[QuestionCounts]:
        """Per channel and rating question (a question id merged across questionnaires, as the standings do)."""
        merged: dict = defaultdict(lambda: defaultdict(int))
        for (unit, channel), per_question in self.answers.items():
            if unit_id is not None and unit != unit_id:
                continue
            for (qn_id, qid), counts in per_question.items():
                if (qn_id, qid) in scales:
                    for value, n in counts.items():
                        merged[(channel, qid)][value] += n
        order = {qid: i for i, qid in enumerate(dict.fromkeys(q for _, q in scales))}
        out = []
        for channel, qid in sorted(merged, key=lambda k: (CHANNELS.index(k[0]), order[k[1]])):
            scale = next(s for (_, q), s in scales.items() if q == qid)
            counts = dict(merged[(channel, qid)])
            if unit_id is not None:  # the rate the results use (one source); city-wide sums are new figures
                rate = self.standing[unit_id].inputs.question_rates.get((channel, qid))
            else:
                rate = exact_rate(counts, scale)
            out.append(QuestionCounts(channel, CHANNEL_LABELS[channel], qid, self.data.question_titles.get(qid, qid),
                                      scale, counts, rate))
        return out


def _status(published, as_of_label: str) -> Status:
    if published is None:
        return Status(False, "实时结果（尚未发布）",
                      f"结果尚未发布。本报告按截至 {as_of_label or '生成时'} 的实时统计生成，为征求意见稿，"
                      "以最终发布的结果为准。")
    day = format_china_time(published.published_at, DATE)
    if published.stage == FINAL:
        return Status(True, f"{STAGE_LABELS[FINAL]}（{day} 发布）", f"本报告依据 {day} 发布的最终结果生成。")
    until = format_china_time(published.objections_until, DATE) if published.objections_until else day
    return Status(False, f"初步结果（{day} 发布，征求意见）",
                  f"本报告依据 {day} 发布的初步结果生成，为征求意见稿；异议期至 {until}，以最终结果为准。")


class CampaignReports:
    def __init__(self, session: Session, campaign_id: int, now: datetime | None = None):
        self.session = session
        self.campaign = session.get(Campaign, campaign_id)
        if self.campaign is None:
            raise NotInScope()
        self.kinds: dict[str, _Kind] = {}
        for kind in KINDS:
            if service.latest(session, campaign_id, kind) is not None:
                self.kinds[kind] = _Kind(session, campaign_id, kind)
        as_of = next((k.as_of for k in self.kinds.values()), "")
        self.fed = fed_figures(session, campaign_id)  # once per campaign (the rectification ledger)
        self.scales = standings.rating_scales(load_definitions(session, campaign_id))
        self.targets = dict(session.execute(select(UnitTarget.unit_id, UnitTarget.target)
                                            .where(UnitTarget.campaign_id == campaign_id)).all())
        self.text_ids = text_question_ids(session, campaign_id)
        c = self.campaign
        self.info = CampaignInfo(c.title, c.year, ROUND_LABELS.get(c.round, "年度评议"), c.organizer,
                                 period_text(c.opens_at, c.closes_at), as_of,
                                 format_china_time(now or datetime.now(timezone.utc), "%Y-%m-%d %H:%M"))

    def entity_ids(self) -> list[int]:
        return [unit_id for k in self.kinds.values() for unit_id in k.order]

    def kind_of(self, unit_id: int) -> _Kind:
        for k in self.kinds.values():
            if unit_id in k.shown:
                return k
        raise NotInScope()

    def _entered(self, k: _Kind, unit_id: int) -> list[EnteredFigure]:
        rows = service.external_rows(self.session, self.campaign.id, unit_id, k.data.scheme.tree, self.fed)
        out = []
        for node in leaves(k.data.scheme.tree):
            if node.input is not None and node.input.kind == EXTERNAL and node.input.key in rows:
                stored = rows[node.input.key]
                value = figure_value(stored.value)
                entered = describe_figure(stored.value)
                shown = format_percent(value) if isinstance(value, Fraction) else entered
                out.append(EnteredFigure(node.input.key, node.name, entered, shown, stored.source,
                                         fed=isinstance(stored, FedFigure)))
        return out

    def entity_report(self, unit_id: int) -> Report:
        k = self.kind_of(unit_id)
        entry = k.shown[unit_id]
        notes = []
        live_n = {c["channel"]: c["responses"] for c in k.live[unit_id]["channels"]}
        if k.published is not None and live_n != {c["channel"]: c["responses"] for c in entry["channels"]}:
            notes.append("结果发布后又统计了新的答卷：各题统计表为最新统计，得分、评级与排名以已发布结果为准。")
        src = EntitySource(self.info, k.status, KIND_LABELS[k.kind], k.data.scheme,
                           present.scheme_info(k.data.scheme_row, k.data.scheme), entry, self.targets.get(unit_id),
                           k.questions(unit_id, self.scales),
                           newest_suggestions(self.session, self.campaign.id, self.text_ids, unit_id),
                           self._entered(k, unit_id), tuple(notes))
        return build_entity_report(src)

    def _workload(self) -> list[WorkloadLine]:
        rows = self.session.execute(
            select(CollectionPoint.channel, TallyEntry.flags != 0, func.sum(TallyEntry.responses))
            .join(CollectionPoint, CollectionPoint.id == TallyEntry.collection_point_id)
            .where(TallyEntry.campaign_id == self.campaign.id)
            .group_by(CollectionPoint.channel, TallyEntry.flags != 0)).all()
        actual: dict = defaultdict(int)
        flagged: dict = defaultdict(int)
        for channel, is_flagged, n in rows:
            actual[channel] += int(n)
            if is_flagged:
                flagged[channel] += int(n)
        lines = [WorkloadLine(f"{CHANNEL_LABELS['qr']}（份）", self.campaign.target_responses or None,
                              actual.get("qr", 0), flagged.get("qr", 0))]
        lines += [WorkloadLine(f"{CHANNEL_LABELS[c]}（份）", None, actual[c], flagged.get(c, 0))
                  for c in CHANNELS if c != "qr" and actual.get(c)]
        return lines

    def city_report(self) -> Report:
        kinds = [KindResults(k.kind, KIND_LABELS[k.kind], k.status, k.data.scheme,
                             present.scheme_info(k.data.scheme_row, k.data.scheme),
                             [k.shown[u] for u in k.order], k.questions(None, self.scales))
                 for k in self.kinds.values()]
        city = self.session.scalar(select(OrgUnit.name).where(OrgUnit.kind == "city").limit(1)) or "全市"
        return build_city_report(CitySource(self.info, city, self._workload(), kinds,
                                            newest_suggestions(self.session, self.campaign.id, self.text_ids)))
