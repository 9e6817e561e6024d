"""Source-apportionment results the console keeps for briefings (PMF runs published by the analyst)."""
