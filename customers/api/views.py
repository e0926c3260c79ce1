"""Customer profiles over REST: list and search, read, merge, add an address."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api.serializers import (
    CustomerDetailOutputSerializer,
    CustomerFilterSerializer,
    CustomerMergeInputSerializer,
    CustomerOutputSerializer,
    IdentityCreateInputSerializer,
    IdentityOutputSerializer,
)
from customers.models import Customer
from customers.selectors import customer_list, customers_with_identities
from customers.services import add_identity, merge_customers
from helpdesk.api import INPUT_ERRORS, PAGE_PARAMETERS, READ_ERRORS
from tickets.selectors import customer_tickets_for

MAX_PROFILE_TICKETS = 50


def _profile(request, customer: Customer) -> Response:
    tickets = customer_tickets_for(request.user, customer)[:MAX_PROFILE_TICKETS]
    return Response(CustomerDetailOutputSerializer(customer, context={"tickets": tickets}).data)


@extend_schema(tags=["customers"])
class CustomerListApi(GenericAPIView):
    def get_queryset(self):
        filters = CustomerFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return customer_list(filters.validated_data.get("q", ""))

    @extend_schema(
        summary="List and search customers",
        description="Newest first. Customers merged into another are left out.",
        parameters=[CustomerFilterSerializer, *PAGE_PARAMETERS],
        responses={200: CustomerOutputSerializer(many=True), **INPUT_ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CustomerOutputSerializer(page, many=True).data)


@extend_schema(tags=["customers"])
class CustomerDetailApi(APIView):
    @extend_schema(
        summary="Read a customer profile",
        description="Every identity, and the tickets on every channel that you may see.",
        responses={200: CustomerDetailOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, customer_id: int):
        return _profile(request, get_object_or_404(customers_with_identities(), pk=customer_id))


@extend_schema(tags=["customers"])
class CustomerMergeApi(APIView):
    @extend_schema(
        summary="Merge this customer into another",
        description="Moves every identity and ticket to the `into` customer and returns its profile.",
        request=CustomerMergeInputSerializer,
        responses={200: CustomerDetailOutputSerializer, **INPUT_ERRORS},
    )
    def post(self, request, customer_id: int):
        source = get_object_or_404(Customer, pk=customer_id)
        serializer = CustomerMergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = serializer.validated_data["into"]
        target = Customer.objects.filter(pk=into).first()
        if target is None:
            raise ValidationError({"into": [f"There is no customer {into}."]})
        merge_customers(source=source, target=target, by=request.user)
        return _profile(request, customers_with_identities().get(pk=target.pk))


@extend_schema(tags=["customers"])
class CustomerIdentityCreateApi(APIView):
    @extend_schema(
        summary="Add an address to a customer",
        description="The address is normalised first; one that belongs to another customer is refused.",
        request=IdentityCreateInputSerializer,
        responses={201: IdentityOutputSerializer, **INPUT_ERRORS},
    )
    def post(self, request, customer_id: int):
        customer = get_object_or_404(Customer, pk=customer_id)
        serializer = IdentityCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            identity = add_identity(customer=customer, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError({"address": exc.messages}) from exc
        return Response(IdentityOutputSerializer(identity).data, status=status.HTTP_201_CREATED)
