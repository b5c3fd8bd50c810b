"""The leader evaluation channel (领导评价): unit heads rate the counties (and city units) through
personal invitations; every rating goes through the one intake on a `leader` collection point."""
