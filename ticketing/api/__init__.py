"""The desk API: FastAPI over the service layer, for agents, supervisors and admins."""
