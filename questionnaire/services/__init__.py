"""Domain services: validate, call the data layer, own the transaction."""
