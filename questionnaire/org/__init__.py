"""The organisation tree (city, counties, townships, city units) and office scope as a where-clause."""
