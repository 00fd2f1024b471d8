"""``POST /v1/plan``: a campaign mix within the budget (see :mod:`matcher.plan`)."""

from __future__ import annotations

from typing import Any, cast

import pydantic
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from matcher.serve.models import parse_brief
from matcher.serve.routes import AUTH, INVALID, TOO_BIG, BriefBody, ServicesDep, Workspace

router = APIRouter()


class PlanOptions(BaseModel):
    """The plan's options beside its ``brief`` (checked by the brief record checker)."""

    model_config = ConfigDict(extra="forbid")

    brief: Any = Field(description="the campaign brief (its goal and currency apply)")
    budget: float | None = Field(
        None, gt=0, description="total budget in the brief's currency (default: the brief's)"
    )
    max_creators: int | None = Field(None, ge=1, le=500, description="at most this many")
    pool: int = Field(100, ge=1, le=500, description="best matches the plan chooses from")


class PlannedOut(BaseModel):
    creator_id: str
    handle: str | None
    tier: str | None
    followers: int | None
    platform: str | None
    cost: float = Field(description="one post, in the plan's currency")
    cost_estimated: bool = Field(description="true when the creator states no price")
    est_reach: float = Field(description="followers: the audience one post can reach at most")
    est_engagements: float = Field(description="followers x engagement rate")
    value: float = Field(description="relevance x the impact the goal asks for")
    score: float
    rank: int = Field(description="the creator's rank in the brief's shortlist")
    role: str = Field(description="reach (macro/mega) or conversion (nano/micro)")


class BaselineOut(BaseModel):
    method: str
    creators: list[str]
    total_cost: float
    value: float


class PlanOut(BaseModel):
    brief_id: str
    goal: str
    currency: str
    budget: float
    creators: list[PlannedOut]
    total_cost: float = Field(description="never more than the budget")
    est_reach: int
    est_engagements: int
    cost_per_engagement: float | None
    value: float
    baseline: BaselineOut = Field(description="greedy by rank under the same budget")
    notes: list[str]


_PROPS = PlanOptions.model_json_schema()["properties"]
_PLAN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["brief"],
                    "properties": {**_PROPS, "brief": {"$ref": "#/components/schemas/BriefIn"}},
                    "additionalProperties": False,
                }
            }
        },
    }
}


@router.post(
    "/v1/plan",
    response_model=PlanOut,
    tags=["matching"],
    responses={**AUTH, **INVALID, **TOO_BIG},
    openapi_extra=_PLAN_BODY,
)
def plan_route(body: BriefBody, svc: ServicesDep, _ws: Workspace) -> JSONResponse:
    """The set of creators worth most for the brief's goal within the budget: an exact 0/1
    knapsack over the best matches' costs (stated prices, else estimates, in the brief's
    currency) and values, with a reach/conversion mix for hybrid goals."""
    from matcher.plan import plan

    errors: list[Any] = []  # every problem at once: the options' and the brief's
    raw = None
    try:
        raw = PlanOptions.model_validate(body)
    except pydantic.ValidationError as e:
        errors += [{**err, "loc": ["body", *err["loc"]]} for err in e.errors()]
    brief = None
    if isinstance(body, dict) and "brief" in body:
        try:
            brief, _ = parse_brief(body["brief"], ("body", "brief"))
        except RequestValidationError as e:
            errors += list(e.errors())
    if errors or raw is None or brief is None:
        raise RequestValidationError(errors)
    with svc.computing():
        p = plan(
            cast(Any, svc.matcher), brief, raw.budget, pool=raw.pool, max_creators=raw.max_creators
        )
    return JSONResponse(p.to_dict())
