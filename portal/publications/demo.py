"""Demo data: the demo register's issued 通知 published to everyone with 已阅 required, a few opened."""
from ..demo import demo_hook
from ..models import Document
from ..models.publication import Publication, PublicationRecipient


@demo_hook
def publications_demo(ctx):
    from . import service
    office = ctx["accounts"].get("demo-discipline")
    notice = (Document.select().where((Document.kind == "notice") & (Document.status == "issued"))
              .order_by(Document.id).first())
    if office is None or notice is None or Publication.select().exists():
        return
    pub = service.publish(notice.id, office, "all", require_ack=True)
    for username in ("demo-staff", "demo-head", "demo-leader"):
        user = ctx["accounts"].get(username)
        if user is not None and PublicationRecipient.select().where(
                (PublicationRecipient.publication == pub.id) & (PublicationRecipient.user == user.id)).exists():
            service.mark_read(pub, user)
            if username == "demo-head":
                service.acknowledge(pub, user)


publications_demo.demo_order = 90  # after the register's demo, whatever the import order
