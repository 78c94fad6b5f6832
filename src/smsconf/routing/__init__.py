"""Routing: what unified routing does with a conversation, explained and checked.

`model` is one workstream's routing whatever it was read from; `sources` builds it from the
configuration or from a live organisation's rows and ruleset XML; `evaluate` applies the
product's semantics (`smsconf.platform.routing`); `explain` says the outcome in words or JSON;
`cases` runs a file of expected routes; `lint` finds rules that cannot do what they say;
`graph` draws the routing of a workstream for the plan (Mermaid, SVG).
"""
