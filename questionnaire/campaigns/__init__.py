"""Campaigns: questionnaires and their definitions, scales, the one scoring module, targets, the file import."""
