"""One factory per model. Tickets made here skip services on purpose: use services to test behaviour."""

import factory
from django.utils import timezone

from customers.models import Customer, Identity, IdentityKind, Organization
from helpdesk.models import User
from helpdesk.roles import Role
from tickets.models import Channel, Direction, Macro, Message, Team, Ticket


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@helpdesk.test")
    role = Role.AGENT
    password = factory.django.Password("pw-for-tests-1")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    customer = factory.SubFactory(CustomerFactory)
    kind = IdentityKind.EMAIL
    address = factory.Sequence(lambda n: f"customer{n}@example.org")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=5)
    channel = Channel.EMAIL
    customer = factory.SubFactory(CustomerFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.SelfAttribute("created_at")
    last_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    direction = Direction.IN
    channel = factory.SelfAttribute("ticket.channel")
    author_customer = factory.SelfAttribute("ticket.customer")
    body_text = factory.Faker("paragraph")
    external_id = factory.Sequence(lambda n: f"<factory-{n}@example.org>")
    created_at = factory.LazyFunction(timezone.now)


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macro

    name = factory.Sequence(lambda n: f"Macro {n}")
    body = "Hello {{ customer.first_name }}, about ticket #{{ ticket.number }}: "
