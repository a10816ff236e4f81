"""Activity imports and the measurement grid."""
