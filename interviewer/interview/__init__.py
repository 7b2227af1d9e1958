"""The interview: the engine, its question policy, its state, and the interviewer's voice."""
