"""Episode command: live feed, alarms, warnings decisions, audit log, roles, handover, replay and drill."""
