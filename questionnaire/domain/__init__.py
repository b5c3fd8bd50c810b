"""Pure domain logic: no Flask, no database. Shared by the web app and the workers."""
