namespace Parley.Node.Events;

/// <summary>
/// Marks a static class whose <c>const string</c> fields are event types of the event stream. A test
/// checks that every one is listed in docs/architecture.md.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventNamesAttribute : Attribute;
