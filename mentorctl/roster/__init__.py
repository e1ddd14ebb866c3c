"""The roster: who takes part, their answers, and what happens to their matches."""
