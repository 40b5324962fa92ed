"""What every task's scores share: the per-class table (class_table) and the confusion-matrix picture (plots)."""
