using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Switchboard.Platform.Database;

namespace Switchboard.Bench;

/// <summary>One SQL command as EF sent it, with its parameters' values (Npgsql parameters are cloned, types included).</summary>
public sealed record CapturedCommand(string Sql, IReadOnlyList<DbParameter> Parameters);

/// <summary>Records the SQL the server's DbContext sends while a capture is on — the bench's equivalent of
/// <c>Microsoft.EntityFrameworkCore.Database.Command</c> logging with sensitive data, without changing the server: it is added
/// to the server's DbContext options from the bench (<see cref="AddTo"/>). Off, it costs an interlocked increment (the
/// command count) and one volatile read per command. Transaction statements (BEGIN/COMMIT) are not commands here.</summary>
public sealed class SqlCapture : DbCommandInterceptor
{
    private volatile ConcurrentQueue<CapturedCommand>? capturing;
    private long count;

    /// <summary>Commands the server has sent since it started (captured or not).</summary>
    public long Count => Interlocked.Read(ref count);

    /// <summary>Registers this capture on the server being built.</summary>
    public void AddTo(WebApplicationBuilder builder) =>
        builder.Services.ConfigureDbContext<SwitchboardDbContext>(options => options.AddInterceptors(this));

    /// <summary>Captures every command sent until the returned handle is disposed.</summary>
    public Session Start() => new(this);

    public sealed class Session : IDisposable
    {
        private readonly SqlCapture owner;
        private readonly ConcurrentQueue<CapturedCommand> commands = new();

        internal Session(SqlCapture owner)
        {
            this.owner = owner;
            owner.capturing = commands;
        }

        public IReadOnlyList<CapturedCommand> Commands => commands.ToArray();

        public void Dispose() => owner.capturing = null;
    }

    private void Record(DbCommand command)
    {
        Interlocked.Increment(ref count);
        if (capturing is not { } queue)
            return;
        var parameters = command.Parameters.Cast<DbParameter>()
            .Select(p => p is NpgsqlParameter npgsql ? npgsql.Clone() : p)
            .ToList();
        queue.Enqueue(new CapturedCommand(command.CommandText, parameters));
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return ValueTask.FromResult(result);
    }
}
