using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Bytes promised to uploads under way on this hub, by uploader: counted against quotas until they finish or fail.
/// Not thread-safe: the store that owns it locks around it.
/// </summary>
internal sealed class BlobReservations
{
    private readonly Dictionary<DeviceId, long> _reserved = [];

    public long Of(DeviceId owner) => _reserved.GetValueOrDefault(owner);

    public long Total => _reserved.Values.Sum();

    public void Reserve(DeviceId owner, long size) => _reserved[owner] = Of(owner) + size;

    public void Release(DeviceId owner, long size)
    {
        var left = Of(owner) - size;
        if (left > 0)
        {
            _reserved[owner] = left;
        }
        else
        {
            _reserved.Remove(owner);
        }
    }
}
