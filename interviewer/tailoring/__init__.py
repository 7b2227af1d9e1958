"""Tailor an interview to a job posting and a résumé (issue 19).

- `documents`: read an uploaded résumé or posting (PDF, DOCX, TXT, MD) with clear errors for bad files.
- `skills`: the skills vocabulary (data in `skills.yaml`) matched against a posting by alias and embedding.
- `plan`: weight the loop's stages and pick the closest bank questions, each with a human reason.
- `resume`: claims a real interviewer would probe, turned into deep-dive questions with the bank's rubric.
- `generate`: with a model configured and consent given, extra questions in the bank's schema.
- `cli`: `interview plan`.
"""
