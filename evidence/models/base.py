"""Fields shared by the evidence tables."""

from django.db import models

ORIGINS = [("auto", "automatic"), ("curated", "curated")]


class GroupLinkFields(models.Model):
    """How a results group relates to the registered arms (evidence.importing.groups)."""

    arm_label = models.TextField(blank=True, help_text="The arm it was linked to, or empty.")
    is_cell_therapy_group = models.BooleanField(
        null=True, help_text="True: received the cells; False: did not; empty: unknown or mixed."
    )
    is_control = models.BooleanField(default=False, help_text="A placebo, sham or control group.")
    is_pooled = models.BooleanField(
        default=False, help_text='A "Total" / "All participants" group pooling other groups.'
    )
    matched_by = models.CharField(max_length=20, blank=True)
    link_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def role(self) -> str:
        """'cell', 'control' or '' (unknown, mixed, or another active treatment)."""
        if self.is_control:
            return "control"
        return "cell" if self.is_cell_therapy_group else ""

    @property
    def role_label(self) -> str:
        return {"cell": "cell therapy", "control": "control"}.get(self.role, "")
