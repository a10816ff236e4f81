"""Reports that read across domains: Top Konten, the home dashboard, a KIM's profile."""
