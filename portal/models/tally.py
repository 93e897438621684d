"""Problem tallies read by the dashboard: counts per key, kept exact by database triggers in the same
transaction as every write of a Problem (migration 0010). Withdrawn Problems are not counted; rows whose
count fell to 0 may stay. A missing item or aspect is stored as 0."""
from peewee import BooleanField, CharField, CompositeKey, DateField, IntegerField

from .base import BaseModel


class ProblemTally(BaseModel):
    """Problems per (department, status, source, self-reported)."""
    department_id = IntegerField()
    status = CharField(max_length=16)
    source = CharField(max_length=16)
    self_reported = BooleanField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "problem_tally"
        primary_key = CompositeKey("department_id", "status", "source", "self_reported")


class ItemTally(BaseModel):
    """Problems per (department, checklist item, aspect)."""
    department_id = IntegerField()
    item_id = IntegerField()
    aspect_id = IntegerField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "item_tally"
        primary_key = CompositeKey("department_id", "item_id", "aspect_id")


class OpenTally(BaseModel):
    """Pending and in-progress Problems with a deadline, per (department, deadline): 逾期 is the sum
    of the rows with deadline < today."""
    department_id = IntegerField()
    deadline = DateField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "open_tally"
        primary_key = CompositeKey("department_id", "deadline")


class ActionTally(BaseModel):
    """通报/提醒/约谈 per (department of the Problem, month 'YYYY-MM' of the action's date, kind); actions
    on withdrawn Problems are not counted (migration 0012)."""
    department_id = IntegerField()
    month = CharField(max_length=7)
    kind = CharField(max_length=16)
    n = IntegerField(default=0)

    class Meta:
        table_name = "action_tally"
        primary_key = CompositeKey("department_id", "month", "kind")


class ItemPersonTally(BaseModel):
    """Live Problems with a checklist item per (item, person, department); person 0 = none (migration 0044)."""
    item_id = IntegerField()
    person_id = IntegerField()
    department_id = IntegerField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "item_person_tally"
        primary_key = CompositeKey("item_id", "person_id", "department_id")


class ItemPeople(BaseModel):
    """How many people have a live Problem of the item, in any department (migration 0044)."""
    item_id = IntegerField(primary_key=True)
    persons = IntegerField(default=0)

    class Meta:
        table_name = "item_people"


class MechanismItemTally(BaseModel):
    """Links of a 长效机制 to problems of a checklist item (migration 0044)."""
    item_id = IntegerField()
    mechanism_id = IntegerField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "mechanism_item_tally"
        primary_key = CompositeKey("item_id", "mechanism_id")
