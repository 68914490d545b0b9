namespace Acme.Widgets.Data;

/// <summary>A widget, as stored (Dapper maps the row property by property, whatever the database).</summary>
public sealed class Widget
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public int Quantity { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
