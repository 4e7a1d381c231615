/* placeholder: filled in by the feature that owns this file */
