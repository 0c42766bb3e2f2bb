"""The real names of the source texts, as plain data. Other rows point at each other by slug.

Facts the texts give (names, places, periods, funders, quotes) are kept as written; what they leave out
(exact trip dates, the phase of structures they do not describe, key figures) is made plausible and is
marked as an estimate in the loaded descriptions where a reader could mistake it for a fact."""
