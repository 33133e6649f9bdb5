using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Functions.Hosting;

/// <summary>
/// Calls one [Function] method the way the worker does: a new instance per invocation from the invocation's
/// (scoped) services, parameters from the invocation, and the awaited return value handed back.
/// </summary>
internal sealed class FunctionMethodInvoker
{
    private readonly MethodInfo _method;
    private readonly ObjectFactory? _factory;
    private readonly Func<FunctionInvocation, object?>[] _binders;
    private readonly Func<object?, Task<object?>> _unwrap;

    public FunctionMethodInvoker(MethodInfo method, Func<FunctionInvocation, object?>[] binders)
    {
        _method = method;
        _binders = binders;
        _factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes);
        _unwrap = ReturnValues.Unwrapper(method.ReturnType);
    }

    public async Task<object?> InvokeAsync(FunctionInvocation invocation)
    {
        var arguments = new object?[_binders.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = _binders[i](invocation);
        }

        var instance = _factory?.Invoke(invocation.Services, null);
        try
        {
            // DoNotWrapExceptions: the function's own exception, not a TargetInvocationException, reaches the caller.
            var returned = _method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, arguments, null);
            return await _unwrap(returned);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
                case IDisposable disposable: disposable.Dispose(); break;
            }
        }
    }
}

/// <summary>Understands the return shapes a function may have: T, Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;, void.</summary>
internal static class ReturnValues
{
    /// <summary>The type of the value a caller gets after awaiting; typeof(void) when there is none.</summary>
    public static Type ResultType(Type returnType)
    {
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return typeof(void);
        }

        if (returnType.IsGenericType
            && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return returnType.GetGenericArguments()[0];
        }

        return returnType;
    }

    public static Func<object?, Task<object?>> Unwrapper(Type returnType)
    {
        if (returnType == typeof(Task))
        {
            return async returned => { await (Task)returned!; return null; };
        }

        if (returnType == typeof(ValueTask))
        {
            return async returned => { await (ValueTask)returned!; return null; };
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var result = returnType.GetProperty(nameof(Task<object>.Result))!;
            return async returned => { await (Task)returned!; return result.GetValue(returned); };
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var asTask = returnType.GetMethod(nameof(ValueTask<object>.AsTask))!;
            var result = asTask.ReturnType.GetProperty(nameof(Task<object>.Result))!;
            return async returned =>
            {
                var task = (Task)asTask.Invoke(returned, null)!;
                await task;
                return result.GetValue(task);
            };
        }

        return returned => Task.FromResult(returned);
    }
}
