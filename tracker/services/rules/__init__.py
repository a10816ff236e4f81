"""The rules KIMs are assessed by: framework versions and assessment periods."""
