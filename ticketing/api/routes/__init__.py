"""The desk API's routes, one module per resource."""
