using Edgeplane.Testing.Architecture;

namespace Edgeplane.Host.Tests.Architecture
{
    public sealed class NamespaceGraphTests
    {
        private static NamespaceGraph Sample() =>
            NamespaceGraph.Read(typeof(NamespaceGraphTests).Assembly.Location, "Edgeplane.Host.Tests.Architecture.Sample");

        [Fact]
        public void A_loop_through_a_method_body_and_a_generic_argument_is_found_and_explained()
        {
            var graph = Sample();

            var cycle = Assert.Single(graph.Cycles());
            Assert.Equal(["Edgeplane.Host.Tests.Architecture.Sample.Orders", "Edgeplane.Host.Tests.Architecture.Sample.Stock"], cycle);
            Assert.Matches(@"Orders → Edgeplane\.Host\.Tests\.Architecture\.Sample\.Stock: Order\S* uses Shelf", graph.Explain(cycle)); // the lambda's closure class
            Assert.Contains("Stock → Edgeplane.Host.Tests.Architecture.Sample.Orders: Shelf uses Order", graph.Explain(cycle));
        }

        [Fact]
        public void A_use_in_one_direction_only_is_no_loop()
        {
            var graph = Sample();

            Assert.Contains("Edgeplane.Host.Tests.Architecture.Sample.Billing", graph.Edges.Keys);
            Assert.DoesNotContain(graph.Cycles(), c => c.Contains("Edgeplane.Host.Tests.Architecture.Sample.Billing"));
        }
    }
}

// Three namespaces: Orders and Stock use each other (one only inside a lambda's body, one through a generic
// argument), Billing uses Orders and nothing uses Billing.
namespace Edgeplane.Host.Tests.Architecture.Sample.Orders
{
    public sealed class Order
    {
        public int Quantity { get; init; }

        public Func<int> Reserve() => () => new Stock.Shelf().Count;
    }
}

namespace Edgeplane.Host.Tests.Architecture.Sample.Stock
{
    public sealed class Shelf
    {
        public int Count => new List<Orders.Order>().Count;
    }
}

namespace Edgeplane.Host.Tests.Architecture.Sample.Billing
{
    public sealed class Invoice(Orders.Order order)
    {
        public int Lines => order.Quantity;
    }
}
