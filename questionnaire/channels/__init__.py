"""Evaluation channels, one package each; each feeds answers through questionnaire.intake."""
