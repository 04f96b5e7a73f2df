// Package billing is a subscriber of order events, used as a consumer contract fixture.
package billing

import (
	"context"

	ordersv1 "example.com/shop/gen/acme/orders/v1"
	"github.com/pelicanhq/pelican"
)

type service struct{}

// Register subscribes billing to the order events it handles.
func Register(sub *pelican.Subscriber, s *service) {
	pelican.Handle(sub, func(ctx context.Context, e *ordersv1.OrderPlaced) error { return nil })
	pelican.Handle(sub, onShipped)
	pelican.Handle[*ordersv1.OrderRefunded](sub, s.onRefund)
}

func onShipped(ctx context.Context, e *ordersv1.OrderShipped) error { return nil }

func (s *service) onRefund(ctx context.Context, e *ordersv1.OrderRefunded) error { return nil }
