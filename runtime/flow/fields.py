"""What a condition or a copy may refer to, and of which type.

References are dotted: `case.<field>`, `record.<field>`, and `<node_id>.<output>` for the
outputs AI and human nodes produce (a classify node's `label` and `confidence`, an assist
node's `draft`, a human node's `decision`), as each kind's spec in `runtime.nodes`
declares them. The validator and the designer's condition builder both read this
catalogue, so they can never disagree.
"""

from __future__ import annotations

from runtime.flow.conditions import LIST_OPS, ORDERING_OPS, Compare, Op
from runtime.flow.schema import FieldType, Flow
from runtime.nodes import registry
from runtime.nodes.spec import FieldInfo


def field_catalog(flow: Flow) -> dict[str, FieldInfo]:
    catalog: dict[str, FieldInfo] = {}
    for cf in flow.case_fields:
        catalog[f"case.{cf.name}"] = FieldInfo(
            f"case.{cf.name}", cf.type, tuple(cf.values or ()), cf.description
        )
    for rf in flow.record_fields:
        catalog[f"record.{rf.name}"] = FieldInfo(
            f"record.{rf.name}", rf.type, tuple(rf.values or ()), rf.description
        )
    for node in flow.nodes:
        for info in node_outputs(node):
            catalog[info.ref] = info
    return catalog


def node_outputs(node: object) -> list[FieldInfo]:
    """The values a node adds to the run, as condition-usable fields (its spec says)."""
    return list(registry.spec_for(node).outputs(node))


OPS_BY_TYPE: dict[FieldType, set[Op]] = {
    FieldType.string: {Op.eq, Op.ne, Op.in_, Op.not_in, Op.contains, Op.matches, Op.exists},
    FieldType.enum: {Op.eq, Op.ne, Op.in_, Op.not_in, Op.exists},
    FieldType.number: {Op.eq, Op.ne, *ORDERING_OPS, Op.exists},
    FieldType.integer: {Op.eq, Op.ne, *ORDERING_OPS, Op.in_, Op.not_in, Op.exists},
    FieldType.boolean: {Op.eq, Op.ne, Op.exists},
}


def check_comparison(cmp: Compare, catalog: dict[str, FieldInfo]) -> str | None:
    """Why a comparison is invalid, or None. Messages are for people."""
    info = catalog.get(cmp.field)
    if info is None:
        return f"condition uses unknown field '{cmp.field}'"
    if cmp.op not in OPS_BY_TYPE[info.type]:
        allowed = ", ".join(sorted(o.value for o in OPS_BY_TYPE[info.type]))
        return (f"operator '{cmp.op.value}' does not apply to {info.type.value} field "
                f"'{cmp.field}' (use one of: {allowed})")
    if cmp.op is Op.exists:
        return None if cmp.value in (None, True, False) else "'exists' takes true or false"
    values = cmp.value if cmp.op in LIST_OPS else [cmp.value]
    if cmp.op in LIST_OPS and not isinstance(cmp.value, list):
        return f"operator '{cmp.op.value}' needs a list of values"
    for value in values:
        problem = _check_value(value, info)
        if problem:
            return problem
    return None


def _check_value(value: object, info: FieldInfo) -> str | None:
    if info.type is FieldType.enum and value not in info.values:
        return (f"'{value}' is not a value of '{info.ref}' "
                f"(choose from: {', '.join(info.values)})")
    numeric = info.type in (FieldType.number, FieldType.integer)
    if numeric and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"'{info.ref}' is a number; {value!r} is not"
    if info.type is FieldType.boolean and not isinstance(value, bool):
        return f"'{info.ref}' is true/false; {value!r} is not"
    if info.type is FieldType.string and not isinstance(value, str):
        return f"'{info.ref}' is text; compare it with text, not {value!r}"
    return None
