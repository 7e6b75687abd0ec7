"""The words of the property panel: labels, one-line help, and the flow's rows.

Kept apart from the widgets so the wording can be reviewed (and improved by someone who
is not a developer) in one place. Field names are the file's names; labels are plain
words for a business analyst.
"""

from __future__ import annotations

from designer.nodes import COMMON_TAIL

# (model name or "*", field) → (label, help)
FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("*", "title"): ("Title", "What people see on the canvas and in the inbox."),
    ("*", "notes"): ("Notes", "For people reading the flow; never sent to a model."),
    ("*", "max_visits"): ("Visit limit", "How often one run may pass this step. Every "
                          "loop needs one."),
    ("*", "instructions"): ("Instructions", "Plain words for the model: what to do and "
                            "what never to do."),
    ("*", "input"): ("Reads", "Case fields the step sees. None ticked: all text fields."),
    ("*", "model"): ("Model", "Leave empty to use the flow's default model."),
    ("*", "autonomy"): ("Autonomy", "Override the flow's stage for this step. Guardrails "
                        "always win over autonomy."),
    ("*", "guardrails"): ("Guardrails", "Enforced in code, whatever the model answers."),
    ("ClassifyNode", "question"): ("Question", "What should the step decide, in plain "
                                   "words?"),
    ("ClassifyNode", "options"): ("Options", "The answers it may give. Describe each and "
                                  "add a few real examples."),
    ("ClassifyNode", "method"): ("Method", "Embeddings are fast and well calibrated; "
                                 "llm asks a generative model."),
    ("ClassifyNode", "embedding_model"): ("Embedding model", "Only for the embeddings "
                                          "method. Empty: the flow's setting."),
    ("ClassifyNode", "temperature"): ("Temperature", "Sharpens or softens the probabilities "
                                      "(embeddings). Not set: automatic."),
    ("AssistNode", "knowledge"): ("Knowledge files", "Files next to the flow to draft from, "
                                  "comma-separated (knowledge/faq.md)."),
    ("AssistNode", "max_words"): ("Longest draft", "In words."),
    ("HumanNode", "assignee"): ("Who decides", "A person or a team; shown in the inbox."),
    ("HumanNode", "instructions"): ("Instructions", "What the person should check."),
    ("HumanNode", "decisions"): ("Decisions", "The buttons they get, comma-separated; each "
                                 "can lead to a different step."),
    ("HumanNode", "editable_fields"): ("May edit", "Record fields the person may change "
                                       "before approving."),
    ("HumanNode", "timeout"): ("Time limit", "Follow a branch when nobody decides in time."),
    ("HumanNode", "limits"): ("Limits on their edits", "A person's edits must stay inside "
                              "these, like the AI's."),
    ("HumanTimeout", "hours"): ("After (hours)", ""),
    ("HumanTimeout", "on"): ("Follow the branch", "The label of the branch to take."),
    ("ActionNode", "connector"): ("Connector", "Where the changes are written."),
    ("ActionNode", "set"): ("Set values", "Fixed values written to the record."),
    ("ActionNode", "copy_from"): ("Copy values", "Values copied from the case or from "
                                  "earlier steps."),
    ("EndNode", "outcome"): ("Outcome", "The run's result, counted in the metrics "
                             "(resolved, escalated…)."),
    ("Guardrails", "fields+limits"): ("What it may change", "Allow: written when "
                                      "confident. Suggest: a person confirms. Deny: "
                                      "never. Unlisted fields are denied."),
    ("Guardrails", "bands"): ("Confidence bands", "Acts at or above the first; asks a "
                              "person at or above the second; below both, the fallback."),
    ("Guardrails", "fallback"): ("Below the bands", "'human' hands the case to a person; "
                                 "or name a branch label."),
    ("Guardrails", "confirm"): ("A person always confirms this step", ""),
    ("Guardrails", "max_calls"): ("Model calls per step", ""),
    ("Guardrails", "retries"): ("Retries on malformed answers", "Guardrail breaches are "
                                "never retried."),
    ("Guardrails", "on_missing_data"): ("If case data is missing", ""),
    ("Flow", "name"): ("Name", ""),
    ("Flow", "description"): ("Description", "What the flow is for, in a sentence or two."),
    ("Flow", "autonomy"): ("Autonomy stage", "How far the AI may act on its own."),
    ("Flow", "default_model"): ("Default model", "Used by every AI step that names none."),
    ("Flow", "embedding_model"): ("Embedding model", "For classify steps using embeddings."),
    ("Flow", "connector"): ("System of record", "Where record changes are written."),
    ("Flow", "case_fields"): ("Case fields", "The input of one run (a ticket, a request)."),
    ("Flow", "record_fields"): ("Record fields", "What the flow may change in the system "
                                "of record."),
    ("Connector", "kind"): ("Kind", ""),
    ("Connector", "path"): ("File", "For csv and jsonl connectors."),
    ("Connector", "url"): ("Address", "For the webhook connector."),
    ("Connector", "token_key"): ("Token name", "The token itself lives in the system "
                                 "keyring, never in the file."),
}

PLACEHOLDERS = {
    "title": "e.g. Classify intent",
    "question": "e.g. What does the customer want?",
    "instructions": "e.g. Be brief. Never promise refunds.",
    "notes": "Anything a colleague should know",
    "description": "What the flow is for",
    "assignee": "e.g. refunds team",
}

CHOICES = {
    "observe": "Observe — AI suggests, a person decides",
    "copilot": "Co-pilot — low-risk changes go through",
    "operate": "Operate — everything inside guardrails",
    "auto": "Automatic", "llm": "Generative model (llm)",
    "embeddings": "Embeddings",
    "human": "Hand to a person", "fail": "Fail the run", "continue": "Continue without it",
}

# Rows a person rarely needs; the form folds them under "More settings".
ADVANCED = {"method", "embedding_model", "temperature", "max_visits", "token_key", "path",
            "url"}

# Which rows each node kind shows is its record's `rows` in designer.nodes.

FLOW_ROWS = ["name", "description", "autonomy", "default_model", "embedding_model",
             "case_fields", "record_fields", "connector"]


# `head` names a trained head's sidecar file: the training card shows and sets it.
NEVER_IN_FORMS = {"id", "kind", "role", "position", "format_version", "nodes", "edges", "head"}
CHOSEN_PER_KIND = {"fields", "limits", "bands", "fallback", "confirm"}  # guardrail rows


def rows_for(model: type, listed: list) -> list:
    """The rows to show: the listed ones in their order, then any field the runtime added
    since (before the common tail), so a new config field appears without code here."""
    named = {n for spec in listed for n in ((spec,) if isinstance(spec, str) else spec)}
    skip = NEVER_IN_FORMS | (CHOSEN_PER_KIND if model.__name__ == "Guardrails" else set())
    fields = getattr(model, "model_fields", {})
    extra = [f for f in fields if f not in named and f not in skip]
    head = [r for r in listed if r not in COMMON_TAIL]
    tail = [r for r in listed if r in COMMON_TAIL]
    return head + extra + tail


def lookup(model: str, field: str) -> tuple[str, str]:
    found = FIELDS.get((model, field)) or FIELDS.get(("*", field))
    if found:
        return found
    return field.replace("_", " ").replace("+", " and ").capitalize(), ""


def placeholder(field: str) -> str:
    return PLACEHOLDERS.get(field, "")


def choice(value: object) -> str:
    return CHOICES.get(str(value), str(value))
