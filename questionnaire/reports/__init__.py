"""Evaluation reports (评价报告): per entity and city-wide, as Word and PDF."""
