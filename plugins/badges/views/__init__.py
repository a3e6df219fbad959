"""The badges plugin's views, one module per audience."""
