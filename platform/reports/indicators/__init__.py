"""Indicators of every program type, by kind: each module computes its tables for a program
(``program_tables``) and its share of the tenant dashboard (``tenant_tables``)."""
